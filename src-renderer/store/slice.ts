/**
 * One slice of the store: it reads the whole store but writes only its own fields. `set` takes a
 * Partial of the slice, so naming another slice's field fails to compile; to change another
 * slice's state, call that slice's action (it keeps that state's invariants, such as the samples
 * that go with a capture status).
 */
import type { Store } from './store';

export type Slice<S> = (set: (patch: Partial<S>) => void, get: () => Store) => S;
