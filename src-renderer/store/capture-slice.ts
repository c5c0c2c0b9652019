import type { StateCreator } from 'zustand';
import { IDLE_STATUS, type CaptureStatus } from '../../shared/ipc/contract';
import type { Store } from './store';

export interface CaptureSlice {
  capture: CaptureStatus;
  /** The last refusal of a user action (open, start), shown until the next action. */
  actionError: string | null;
  setCapture(status: CaptureStatus): void;
  setActionError(message: string | null): void;
}

export const captureSlice: StateCreator<Store, [], [], CaptureSlice> = (set) => ({
  capture: IDLE_STATUS,
  actionError: null,
  setCapture: (capture) => set({ capture }),
  setActionError: (actionError) => set({ actionError }),
});
