import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEdit, EditBook, MAX_EDIT_LENGTH, type EditableField } from '../../shared/inventory/edits';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { udpFrame } from '../helpers/packets';

function device() {
  const a = createAnalyzer();
  const f = udpFrame(
    { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 4000 },
    { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 4001 },
    new Uint8Array(4),
  );
  a.frame(f, 1, Date.UTC(2026, 0, 1), f.length, 0);
  return a.snapshot().devices.find((d) => d.mac === '02:00:00:00:00:01')!;
}

test('checkEdit: trimmed, blank clears, cut to length; a field or authorization it does not know is a RangeError', () => {
  assert.equal(checkEdit('name', '  boiler-plc '), 'boiler-plc');
  assert.equal(checkEdit('notes', '   '), null);
  assert.equal(checkEdit('vendor', null), null);
  assert.equal(checkEdit('notes', 'x'.repeat(MAX_EDIT_LENGTH + 10))!.length, MAX_EDIT_LENGTH);
  assert.equal(checkEdit('authorization', 'authorized'), 'authorized');
  assert.throws(
    () => checkEdit('authorization', 'maybe'),
    /authorization must be one of authorized, unauthorized, unknown/,
  );
  assert.throws(
    () => checkEdit('firmware' as EditableField, 'x'),
    /'firmware' cannot be edited: use one of name, type/,
  );
});

test('EditBook: edits outrank the device, the category follows the type, clearing gives the device its say back', () => {
  const d = device();
  const book = new EditBook();
  assert.equal(book.apply(d), d, 'a device without edits is shown as it is');
  book.set(d.id, 'name', 'boiler-plc');
  book.set(d.id, 'type', 'plc');
  book.set(d.id, 'authorization', 'authorized');
  const shown = book.apply(d);
  assert.equal(shown.hostname, 'boiler-plc');
  assert.equal(shown.type, 'plc');
  assert.equal(shown.category, 'OT');
  assert.deepEqual(shown.edited, ['name', 'type'], 'authorization is not a device field');
  assert.deepEqual(book.apply(shown), shown, 'applying twice changes nothing');
  assert.deepEqual(book.all().get(d.id), { name: 'boiler-plc', type: 'plc', authorization: 'authorized' });
  book.set(d.id, 'name', null);
  book.set(d.id, 'type', null);
  assert.equal(book.apply(d), d, 'authorization alone changes nothing shown');
  book.set(d.id, 'authorization', null);
  assert.equal(book.get(d.id), undefined, 'no edits left: the entry goes');
});
