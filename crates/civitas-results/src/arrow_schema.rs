//! The Arrow schema of a Parquet table, as the `ARROW:schema` metadata entry that Arrow
//! readers (pyarrow, so pandas) take the columns' Arrow types from: with it, the string
//! columns read as dictionaries (pandas categoricals) instead of one string per row, which
//! is what makes a Parquet time series fast to load.
//!
//! The entry is the base64 of an Arrow IPC message (a continuation marker, the length, then
//! a `Message` flatbuffer holding a `Schema`; `format/Message.fbs` and `format/Schema.fbs`
//! of Apache Arrow). The flatbuffer is built here by hand, back to front as the
//! flatbuffers builders do, for the few types a Civitas table has: that is a hundred
//! lines against the whole of `arrow` as a dependency.

/// An Arrow type a Civitas column has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrowType {
    /// UTF-8 strings, dictionary-encoded (32-bit signed indices).
    DictionaryUtf8,
    /// 64-bit signed integers.
    Int64,
    /// Days since 1970-01-01.
    Date32,
    /// IEEE doubles.
    Float64,
    /// IEEE singles.
    Float32,
    /// Booleans.
    Bool,
}

/// One field of the schema.
pub(crate) struct ArrowField<'a> {
    pub name: &'a str,
    pub nullable: bool,
    pub ty: ArrowType,
}

/// A flatbuffer built from its end: `data` is the tail of the final buffer, and an object
/// is known by its distance from the end (`data.len()` right after it was written).
#[derive(Default)]
struct Builder {
    data: Vec<u8>,
}

/// A field of a table: its slot in the schema and its value.
enum Slot {
    U8(u8),
    I16(i16),
    I32(i32),
    I64(i64),
    /// An offset to an object written earlier (its distance from the end).
    Offset(usize),
}

impl Slot {
    fn size(&self) -> usize {
        match self {
            Slot::U8(_) => 1,
            Slot::I16(_) => 2,
            Slot::I32(_) | Slot::Offset(_) => 4,
            Slot::I64(_) => 8,
        }
    }
}

impl Builder {
    fn prepend(&mut self, bytes: &[u8]) {
        self.data.splice(0..0, bytes.iter().copied());
    }

    /// Zero bytes so that an object of `size` bytes written next starts aligned to `align`.
    fn pad_for(&mut self, size: usize, align: usize) {
        let pad = (align - (self.data.len() + size) % align) % align;
        self.prepend(&vec![0; pad]);
    }

    fn string(&mut self, s: &str) -> usize {
        let mut bytes = (s.len() as u32).to_le_bytes().to_vec();
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        self.pad_for(bytes.len(), 4);
        self.prepend(&bytes);
        self.data.len()
    }

    /// A vector of offsets to objects written earlier.
    fn offsets(&mut self, targets: &[usize]) -> usize {
        let size = 4 + 4 * targets.len();
        self.pad_for(size, 4);
        let start = self.data.len() + size;
        let mut bytes = (targets.len() as u32).to_le_bytes().to_vec();
        for (i, &t) in targets.iter().enumerate() {
            let at = start - 4 - 4 * i;
            bytes.extend_from_slice(&((at - t) as u32).to_le_bytes());
        }
        self.prepend(&bytes);
        self.data.len()
    }

    /// A table of `slots` (slot number, value), with its vtable just before it.
    fn table(&mut self, slots: &[(usize, Slot)]) -> usize {
        // Lay the fields out after the vtable offset, largest first, each aligned.
        let mut order: Vec<&(usize, Slot)> = slots.iter().collect();
        order.sort_by_key(|(_, v)| std::cmp::Reverse(v.size()));
        let mut at: usize = 4;
        let mut placed = Vec::new();
        for (slot, value) in order {
            at = at.next_multiple_of(value.size());
            placed.push((*slot, value, at));
            at += value.size();
        }
        let align = slots
            .iter()
            .map(|(_, v)| v.size())
            .max()
            .unwrap_or(4)
            .max(4);
        let len = at.next_multiple_of(4);
        self.pad_for(len, align);
        let start = self.data.len() + len;
        let slot_count = slots.iter().map(|(s, _)| s + 1).max().unwrap_or(0);
        let vtable_len = 4 + 2 * slot_count;
        let mut bytes = vec![0u8; len];
        bytes[..4].copy_from_slice(&(vtable_len as i32).to_le_bytes());
        let mut vtable = vec![0u16; 2 + slot_count];
        vtable[0] = vtable_len as u16;
        vtable[1] = len as u16;
        for (slot, value, off) in placed {
            vtable[2 + slot] = off as u16;
            let field = &mut bytes[off..off + value.size()];
            match *value {
                Slot::U8(x) => field.copy_from_slice(&[x]),
                Slot::I16(x) => field.copy_from_slice(&x.to_le_bytes()),
                Slot::I32(x) => field.copy_from_slice(&x.to_le_bytes()),
                Slot::I64(x) => field.copy_from_slice(&x.to_le_bytes()),
                Slot::Offset(t) => field.copy_from_slice(&((start - off - t) as u32).to_le_bytes()),
            }
        }
        self.prepend(&bytes);
        let vt: Vec<u8> = vtable.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.prepend(&vt);
        start
    }

    /// The finished buffer: the offset of `root`, then everything, 8-aligned.
    fn finish(mut self, root: usize) -> Vec<u8> {
        self.pad_for(4, 8);
        let at = self.data.len() + 4;
        self.prepend(&((at - root) as u32).to_le_bytes());
        self.data
    }
}

// Union and enum values of Schema.fbs and Message.fbs.
const TYPE_INT: u8 = 2;
const TYPE_FLOATING_POINT: u8 = 3;
const TYPE_UTF8: u8 = 5;
const TYPE_BOOL: u8 = 6;
const TYPE_DATE: u8 = 8;
const PRECISION_SINGLE: i16 = 1;
const PRECISION_DOUBLE: i16 = 2;
const DATE_UNIT_DAY: i16 = 0;
const HEADER_SCHEMA: u8 = 1;
const METADATA_V5: i16 = 4;

/// The IPC message holding the schema of `fields`.
fn schema_message(fields: &[ArrowField]) -> Vec<u8> {
    let mut b = Builder::default();
    let mut field_refs = Vec::new();
    let mut dictionary_id = 0i64;
    for f in fields {
        let children = b.offsets(&[]);
        let (type_type, ty) = match f.ty {
            ArrowType::DictionaryUtf8 => (TYPE_UTF8, b.table(&[])),
            ArrowType::Int64 => (TYPE_INT, b.table(&[(0, Slot::I32(64)), (1, Slot::U8(1))])),
            ArrowType::Date32 => (TYPE_DATE, b.table(&[(0, Slot::I16(DATE_UNIT_DAY))])),
            ArrowType::Float64 => (
                TYPE_FLOATING_POINT,
                b.table(&[(0, Slot::I16(PRECISION_DOUBLE))]),
            ),
            ArrowType::Float32 => (
                TYPE_FLOATING_POINT,
                b.table(&[(0, Slot::I16(PRECISION_SINGLE))]),
            ),
            ArrowType::Bool => (TYPE_BOOL, b.table(&[])),
        };
        let dictionary = (f.ty == ArrowType::DictionaryUtf8).then(|| {
            let index = b.table(&[(0, Slot::I32(32)), (1, Slot::U8(1))]);
            let d = b.table(&[(0, Slot::I64(dictionary_id)), (1, Slot::Offset(index))]);
            dictionary_id += 1;
            d
        });
        let name = b.string(f.name);
        let mut slots = vec![
            (0, Slot::Offset(name)),
            (1, Slot::U8(u8::from(f.nullable))),
            (2, Slot::U8(type_type)),
            (3, Slot::Offset(ty)),
            (5, Slot::Offset(children)),
        ];
        if let Some(d) = dictionary {
            slots.push((4, Slot::Offset(d)));
        }
        field_refs.push(b.table(&slots));
    }
    let fields = b.offsets(&field_refs);
    // Endianness Little is 0, the default: left out.
    let schema = b.table(&[(1, Slot::Offset(fields))]);
    let message = b.table(&[
        (0, Slot::I16(METADATA_V5)),
        (1, Slot::U8(HEADER_SCHEMA)),
        (2, Slot::Offset(schema)),
        (3, Slot::I64(0)),
    ]);
    let flatbuffer = b.finish(message);
    let mut out = Vec::with_capacity(flatbuffer.len() + 8);
    out.extend_from_slice(&u32::MAX.to_le_bytes());
    out.extend_from_slice(&(flatbuffer.len() as i32).to_le_bytes());
    out.extend_from_slice(&flatbuffer);
    out
}

/// The value of the `ARROW:schema` entry for `fields`.
pub(crate) fn arrow_schema_entry(fields: &[ArrowField]) -> String {
    base64(&schema_message(fields))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn the_message_is_framed_and_aligned() {
        let m = schema_message(&[
            ArrowField {
                name: "indicator",
                nullable: false,
                ty: ArrowType::DictionaryUtf8,
            },
            ArrowField {
                name: "value",
                nullable: true,
                ty: ArrowType::Float64,
            },
        ]);
        assert_eq!(&m[..4], &[0xff; 4]);
        let len = i32::from_le_bytes(m[4..8].try_into().unwrap()) as usize;
        assert_eq!(len, m.len() - 8);
        assert_eq!(len % 8, 0);
        // The root offset points at the Message table, whose vtable offset points back
        // at a vtable of 4 slots (version, header type, header, body length).
        let fb = &m[8..];
        let root = u32::from_le_bytes(fb[..4].try_into().unwrap()) as usize;
        let vt = root - i32::from_le_bytes(fb[root..root + 4].try_into().unwrap()) as usize;
        assert_eq!(u16::from_le_bytes([fb[vt], fb[vt + 1]]), 4 + 2 * 4);
        let names = String::from_utf8_lossy(fb);
        assert!(names.contains("indicator") && names.contains("value"));
    }
}
