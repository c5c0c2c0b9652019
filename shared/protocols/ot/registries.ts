import cipVendors from '../../../assets/registries/cip-vendors.json';
import cipDeviceTypes from '../../../assets/registries/cip-device-types.json';
import bacnetVendors from '../../../assets/registries/bacnet-vendors.json';
import profinetVendors from '../../../assets/registries/profinet-vendors.json';
import hartManufacturers from '../../../assets/registries/hart-manufacturers.json';

/** A generated registry file: `_source` / `_generated` header fields, then id (decimal string) -> name. */
type Registry = Record<string, string>;

function lookup(r: Registry, id: number): string | null {
  if (!Number.isInteger(id) || id < 0) return null;
  const v = r[String(id)];
  return typeof v === 'string' ? v : null;
}

export const cipVendorName = (id: number): string | null => lookup(cipVendors as Registry, id);
export const cipDeviceTypeName = (id: number): string | null => lookup(cipDeviceTypes as Registry, id);
export const bacnetVendorName = (id: number): string | null => lookup(bacnetVendors as Registry, id);
export const profinetVendorName = (id: number): string | null => lookup(profinetVendors as Registry, id);
/** HART manufacturer ids stated in public device documents (partial: see the table's _note). */
export const hartManufacturerName = (id: number): string | null => lookup(hartManufacturers as Registry, id);
