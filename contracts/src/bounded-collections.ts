import { types, type Schema, type Type } from 'avsc';

/**
 * Arrays and maps that stop reading at the end of the buffer.
 *
 * avsc reads an array block by looping over the item count found in the bytes, and keeps
 * looping after the buffer has ended (it only checks for truncation afterwards). A corrupt count
 * such as 2^31 then makes decoding run for minutes. These subclasses leave a block as soon as
 * the read position has passed the end; the decoder then reports the message as truncated.
 * Every item of our schemas takes at least one byte, so no valid message is affected.
 *
 * They use avsc's internal reading interface (`Tap`, `_read`, `_skip`), which is stable across
 * avsc 5.x; the codec's tests decode corrupt counts and would notice a change.
 */

interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
  skipString(): void;
}

interface InternalType {
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}

function forEachItem(tap: Tap, each: () => void): void {
  let count: number;
  while ((count = tap.readLong())) {
    if (count < 0) {
      count = -count;
      tap.skipLong(); // block size in bytes, not needed when reading item by item
    }
    while (count-- > 0) {
      if (tap.pos > tap.buf.length) return;
      each();
    }
  }
}

const ArrayTypeBase = types.ArrayType as unknown as new (schema: Schema, options: unknown) => Type;
const MapTypeBase = types.MapType as unknown as new (schema: Schema, options: unknown) => Type;

class BoundedArrayType extends ArrayTypeBase {
  // `this` is the type itself or, when reading through a resolver, the resolver (which avsc
  // gives the same `itemsType` property).
  _read(this: { itemsType: InternalType }, tap: Tap): unknown[] {
    const items = this.itemsType;
    const values: unknown[] = [];
    forEachItem(tap, () => {
      values.push(items._read(tap));
    });
    return values;
  }

  _skip(this: { itemsType: InternalType }, tap: Tap): void {
    const items = this.itemsType;
    let count: number;
    while ((count = tap.readLong())) {
      if (count < 0) {
        tap.pos += tap.readLong();
        continue;
      }
      while (count-- > 0) {
        if (tap.pos > tap.buf.length) return;
        items._skip(tap);
      }
    }
  }
}

class BoundedMapType extends MapTypeBase {
  _read(this: { valuesType: InternalType }, tap: Tap): Record<string, unknown> {
    const values = this.valuesType;
    const result: Record<string, unknown> = {};
    forEachItem(tap, () => {
      const key = tap.readString();
      result[key] = values._read(tap);
    });
    return result;
  }

  _skip(this: { valuesType: InternalType }, tap: Tap): void {
    const values = this.valuesType;
    let count: number;
    while ((count = tap.readLong())) {
      if (count < 0) {
        tap.pos += tap.readLong();
        continue;
      }
      while (count-- > 0) {
        if (tap.pos > tap.buf.length) return;
        tap.skipString();
        values._skip(tap);
      }
    }
  }
}

/** avsc `typeHook` that builds arrays and maps as their bounded variants. */
export function boundedCollectionsHook(schema: Schema, options: unknown): Type | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const { type } = schema as { type?: unknown };
  if (type === 'array') return new BoundedArrayType(schema, options);
  if (type === 'map') return new BoundedMapType(schema, options);
  return undefined;
}
