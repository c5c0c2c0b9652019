import { checkEdit, EDITABLE_FIELDS, type EditBook, type EditableField } from '../../shared/inventory/edits';
import type { CallRequest, CallResponse } from '../../shared/ipc/contract';
import { CallFailure } from '../ipc/engine-api';
import type { InventoryView } from './inventory-view';
import type { MergedView } from './merged-view';
import type { RunController } from './run-controller';
import { errorText, type StoreLink } from './store-link';

/**
 * editDevice: a person's edit of a device, kept in the edit book (the store's, on disk, while it
 * records) and shown at once: through the change stream during a run, as a delta of its own before.
 * In a sensors' console, the edit of a merged device goes in the same book, over the merge.
 */
export class DeviceEditor {
  constructor(
    private readonly runs: () => RunController,
    private readonly view: InventoryView,
    private readonly link: StoreLink,
    private readonly edits: EditBook,
    private readonly merged: () => MergedView | null = () => null,
  ) {}

  edit(req: CallRequest<'editDevice'>): CallResponse<'editDevice'> {
    const m = this.merged();
    if (m !== null) return this.editMerged(m, req);
    const runs = this.runs();
    const d = runs.analyzer.inventory.byId(req.id);
    const stored = d === undefined ? this.view.storedDevice(req.id) : null;
    if (d === undefined && stored === null)
      throw new CallFailure('bad-request', `no device ${req.id} in the current inventory`);
    // A stored device may answer under the id it was merged into.
    const key = stored?.id ?? req.id;
    // The store keeps edits of devices it holds: record what is pending first.
    if (d !== undefined && this.link.writable !== null) runs.flush();
    for (const f of EDITABLE_FIELDS) {
      const v = req[f];
      if (v !== undefined) this.keep(key, f, checkEdit(f, v));
    }
    if (d !== undefined) {
      // The grid learns of the edit through the change stream like any other change.
      d.touch();
      return this.edits.apply(runs.analyzer.deviceJson(d, true));
    }
    const shown = this.view.storedDevice(key) ?? this.edits.apply(stored!);
    this.view.publishStored(shown);
    return shown;
  }

  /** A merged device: its edit kept by its merged id (the store has it: each rebuild is committed). */
  private editMerged(m: MergedView, req: CallRequest<'editDevice'>): CallResponse<'editDevice'> {
    if (!m.has(req.id)) throw new CallFailure('bad-request', `no device ${req.id} in the merged inventory`);
    // Every value is checked before any is kept: a bad one changes nothing.
    const values = EDITABLE_FIELDS.filter((f) => req[f] !== undefined).map(
      (f) => [f, checkEdit(f, req[f]!)] as const,
    );
    for (const [f, v] of values) this.keep(req.id, f, v);
    return m.edited(req.id)!;
  }

  private keep(id: string, f: EditableField, value: string | null): void {
    const store = this.link.writable;
    if (store !== null) {
      try {
        // The store writes it with a timeline entry, and keeps it in the book.
        store.edit(id, f, value);
        return;
      } catch (e) {
        // A device the store has not written (recording stopped) keeps the edit in memory only.
        this.link.log(`the edit of ${id} was not stored: ${errorText(e)}`);
      }
    }
    this.edits.set(id, f, value);
  }
}
