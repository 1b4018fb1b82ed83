//! The output tables in CSV, Parquet or both, through one writer and one reader.
//!
//! Every table is produced as rows of CSV cells (the text [`crate::format`] and
//! [`crate::files`] make); a [`TableWriter`] writes them as `<stem>.csv`, as
//! `<stem>.parquet` or as both, each through a fresh temporary renamed into place when
//! the table is finished ([`owned::TempFile`]), so a table is complete or absent.
//!
//! In Parquet each column is typed by its [`Kind`]: names and labels as dictionary-encoded
//! strings, counts as 64-bit integers, dates as `DATE` (the first day of a monthly tick), a
//! scope as two columns `scope_kind` (`city`, `district`, `band`, `sector`, `size`) and
//! `scope_name` (null for the city), values as nullable doubles (an empty CSV cell is
//! null), flags as booleans. A table may drop the rows whose value is empty ([`TableSpec::dropping_empty`]:
//! the time series' never-defined cells). Rows are buffered [`ROW_GROUP_ROWS`] at a time
//! and written as a row group, so memory stays flat however long the table is; pages are
//! Snappy-compressed.
//!
//! The file also carries its Arrow schema (`ARROW:schema`, built in `arrow_schema.rs`), so
//! pyarrow and pandas read the string columns as dictionaries (categoricals).
//!
//! The table's columns and kinds are stored in the file's key-value metadata
//! ([`SPEC_KEY`]), so [`read_table`] turns any Parquet table Civitas wrote back into the
//! very CSV header and cells, and a reader of `summary.csv` reads `summary.parquet` too.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type,
};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;
use serde::{Deserialize, Serialize};

use civitas_scenario::TableFormat;

use crate::arrow_schema::{ArrowField, ArrowType, arrow_schema_entry};
use crate::error::ResultsError;
use crate::files::{parse_text_cell, text_cell};
use crate::format::{format_f32, format_value, parse_value};
use crate::owned::{self, TempFile, excerpt};

/// Rows buffered before they are written as one Parquet row group.
pub const ROW_GROUP_ROWS: usize = 1 << 17;

/// Key of the file metadata entry that Arrow readers take the columns' Arrow types from.
pub const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

/// Key of the file metadata entry that holds the table's [`TableSpec`] as JSON.
pub const SPEC_KEY: &str = "civitas.table";

/// How one CSV column is typed in Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Text as written (indicator, status, a lever path): a string.
    Text,
    /// A user's name or label, escaped in CSV by [`text_cell`]: the name itself.
    Name,
    /// A whole number: `INT64`.
    Int,
    /// A tick's date, `YYYY-MM` or `YYYY-MM-DD`: `DATE` (days since 1970-01-01).
    Date,
    /// A scope (`city`, `district:<name>`, `band:<name>`): two string columns,
    /// `scope_kind` and `scope_name` (null when there is no name).
    Scope,
    /// A number written by [`format_value`], empty for none: nullable `DOUBLE`.
    Real,
    /// A single-precision number written by [`format_f32`]: nullable `FLOAT`.
    Real32,
    /// `true` or `false`: `BOOLEAN`.
    Bool,
}

/// One CSV column and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The CSV header cell.
    pub name: String,
    /// Its type in Parquet.
    pub kind: Kind,
}

/// A table's columns, and which column (if any) leaves a row out of Parquet when empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSpec {
    /// The columns, in CSV order.
    pub columns: Vec<Column>,
    /// A [`Kind::Real`] column whose empty cells leave the row out of Parquet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_empty: Option<usize>,
}

/// Whether dates are `YYYY-MM` (monthly ticks) or `YYYY-MM-DD` (weekly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DateForm {
    Month,
    Day,
}

/// What the file's metadata says: the spec and the form its dates were written in.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSpec {
    #[serde(flatten)]
    spec: TableSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dates: Option<DateForm>,
}

impl TableSpec {
    /// A table of `names` (the CSV header) typed by `kinds`, one each.
    pub fn new<S: AsRef<str>>(names: &[S], kinds: &[Kind]) -> TableSpec {
        assert_eq!(names.len(), kinds.len(), "one kind per column");
        TableSpec {
            columns: names
                .iter()
                .zip(kinds)
                .map(|(n, &kind)| Column {
                    name: n.as_ref().to_string(),
                    kind,
                })
                .collect(),
            drop_empty: None,
        }
    }

    /// The same table, leaving out of Parquet the rows whose `column` is empty.
    pub fn dropping_empty(mut self, column: &str) -> TableSpec {
        let at = self
            .columns
            .iter()
            .position(|c| c.name == column && c.kind == Kind::Real)
            .expect("a Real column of the table");
        self.drop_empty = Some(at);
        self
    }

    /// The CSV header.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The Parquet columns' names: a scope column becomes `<name>_kind` and `<name>_name`.
    pub fn parquet_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for c in &self.columns {
            if c.kind == Kind::Scope {
                names.push(format!("{}_kind", c.name));
                names.push(format!("{}_name", c.name));
            } else {
                names.push(c.name.clone());
            }
        }
        names
    }

    /// The `ARROW:schema` entry: the string columns as dictionaries (categoricals in
    /// pandas), the others as their Parquet types say.
    fn arrow_schema(&self) -> String {
        let names = self.parquet_names();
        let mut fields = Vec::new();
        let mut name = names.iter();
        for c in &self.columns {
            let (ty, nullable) = match c.kind {
                Kind::Text | Kind::Name => (ArrowType::DictionaryUtf8, false),
                Kind::Scope => {
                    fields.push(ArrowField {
                        name: name.next().expect("a name per column"),
                        nullable: false,
                        ty: ArrowType::DictionaryUtf8,
                    });
                    (ArrowType::DictionaryUtf8, true)
                }
                Kind::Int => (ArrowType::Int64, false),
                Kind::Date => (ArrowType::Date32, false),
                Kind::Real => (ArrowType::Float64, true),
                Kind::Real32 => (ArrowType::Float32, true),
                Kind::Bool => (ArrowType::Bool, false),
            };
            fields.push(ArrowField {
                name: name.next().expect("a name per column"),
                nullable,
                ty,
            });
        }
        arrow_schema_entry(&fields)
    }

    /// The Parquet schema.
    fn schema(&self) -> parquet::errors::Result<Type> {
        let mut fields = Vec::new();
        let string = |name: &str, repetition| {
            Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                .with_logical_type(Some(LogicalType::String))
                .with_repetition(repetition)
                .build()
        };
        for c in &self.columns {
            let name = c.name.as_str();
            let field = match c.kind {
                Kind::Text | Kind::Name => string(name, Repetition::REQUIRED)?,
                Kind::Scope => {
                    fields.push(Arc::new(string(
                        &format!("{name}_kind"),
                        Repetition::REQUIRED,
                    )?));
                    string(&format!("{name}_name"), Repetition::OPTIONAL)?
                }
                Kind::Int => Type::primitive_type_builder(name, PhysicalType::INT64)
                    .with_repetition(Repetition::REQUIRED)
                    .build()?,
                Kind::Date => Type::primitive_type_builder(name, PhysicalType::INT32)
                    .with_logical_type(Some(LogicalType::Date))
                    .with_repetition(Repetition::REQUIRED)
                    .build()?,
                Kind::Real => Type::primitive_type_builder(name, PhysicalType::DOUBLE)
                    .with_repetition(Repetition::OPTIONAL)
                    .build()?,
                Kind::Real32 => Type::primitive_type_builder(name, PhysicalType::FLOAT)
                    .with_repetition(Repetition::OPTIONAL)
                    .build()?,
                Kind::Bool => Type::primitive_type_builder(name, PhysicalType::BOOLEAN)
                    .with_repetition(Repetition::REQUIRED)
                    .build()?,
            };
            fields.push(Arc::new(field));
        }
        Type::group_type_builder("civitas")
            .with_fields(fields)
            .build()
    }
}

/// `<stem>.parquet` beside `<stem>.csv`.
pub fn parquet_path(csv_path: &Path) -> PathBuf {
    csv_path.with_extension("parquet")
}

/// The table at `csv_path` as it exists: the CSV file, else its Parquet sibling; `None`
/// when neither exists.
pub fn existing_table(csv_path: &Path) -> Option<PathBuf> {
    if owned::exists(csv_path) {
        return Some(csv_path.to_path_buf());
    }
    let parquet = parquet_path(csv_path);
    owned::exists(&parquet).then_some(parquet)
}

/// Writes one table as CSV, Parquet or both (see the [module](self) documentation).
pub struct TableWriter {
    spec: TableSpec,
    csv: Option<(csv::Writer<BufWriter<File>>, TempFile, PathBuf)>,
    parquet: Option<ParquetSink>,
}

impl TableWriter {
    /// Starts the table whose CSV form is `csv_path` (its Parquet form is
    /// [`parquet_path`]) in `format`; the header is written at once.
    pub fn create(
        csv_path: &Path,
        spec: TableSpec,
        format: TableFormat,
    ) -> Result<TableWriter, ResultsError> {
        let csv = if format.csv() {
            let mut tmp = TempFile::new(csv_path)?;
            let file = tmp.file().try_clone().map_err(ResultsError::io(csv_path))?;
            let mut w = csv::Writer::from_writer(BufWriter::new(file));
            w.write_record(spec.header())
                .map_err(crate::files::csv_error(csv_path))?;
            Some((w, tmp, csv_path.to_path_buf()))
        } else {
            None
        };
        let parquet = if format.parquet() {
            Some(ParquetSink::create(&parquet_path(csv_path), &spec)?)
        } else {
            None
        };
        Ok(TableWriter { spec, csv, parquet })
    }

    /// Adds one row of CSV cells (as many as the table has columns).
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), ResultsError> {
        debug_assert_eq!(cells.len(), self.spec.columns.len());
        if let Some((w, _, path)) = self.csv.as_mut() {
            w.write_record(cells.iter().map(|c| c.as_ref()))
                .map_err(crate::files::csv_error(path))?;
        }
        if let Some(sink) = self.parquet.as_mut() {
            sink.row(&self.spec, cells)?;
        }
        Ok(())
    }

    /// Finishes the table: flushes what is buffered and renames each file into place.
    pub fn finish(self) -> Result<(), ResultsError> {
        if let Some((w, tmp, path)) = self.csv {
            let mut out = w
                .into_inner()
                .map_err(|e| ResultsError::io(&path)(e.into_error()))?;
            out.flush().map_err(ResultsError::io(&path))?;
            drop(out);
            tmp.persist(&path)?;
        }
        if let Some(sink) = self.parquet {
            sink.finish(&self.spec)?;
        }
        Ok(())
    }
}

/// The values of one Parquet column for the rows buffered.
enum Values {
    Bytes(Vec<ByteArray>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    F64(Vec<f64>),
    F32(Vec<f32>),
    Bool(Vec<bool>),
}

/// One Parquet column's buffer: its values and, for a nullable column, one definition
/// level per row (1 present, 0 null).
struct Buffer {
    values: Values,
    defs: Option<Vec<i16>>,
}

impl Buffer {
    fn clear(&mut self) {
        match &mut self.values {
            Values::Bytes(v) => v.clear(),
            Values::I64(v) => v.clear(),
            Values::I32(v) => v.clear(),
            Values::F64(v) => v.clear(),
            Values::F32(v) => v.clear(),
            Values::Bool(v) => v.clear(),
        }
        if let Some(d) = &mut self.defs {
            d.clear();
        }
    }
}

struct ParquetSink {
    writer: SerializedFileWriter<BufWriter<File>>,
    tmp: TempFile,
    path: PathBuf,
    buffers: Vec<Buffer>,
    rows: usize,
    dates: Option<DateForm>,
}

impl ParquetSink {
    fn create(path: &Path, spec: &TableSpec) -> Result<ParquetSink, ResultsError> {
        let mut tmp = TempFile::new(path)?;
        let file = tmp.file().try_clone().map_err(ResultsError::io(path))?;
        let schema = spec.schema().map_err(parquet_error(path))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("civitas {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            SerializedFileWriter::new(BufWriter::new(file), Arc::new(schema), Arc::new(properties))
                .map_err(parquet_error(path))?;
        let mut buffers = Vec::new();
        for c in &spec.columns {
            let (values, nullable) = match c.kind {
                Kind::Text | Kind::Name => (Values::Bytes(Vec::new()), false),
                Kind::Scope => {
                    buffers.push(Buffer {
                        values: Values::Bytes(Vec::new()),
                        defs: None,
                    });
                    (Values::Bytes(Vec::new()), true)
                }
                Kind::Int => (Values::I64(Vec::new()), false),
                Kind::Date => (Values::I32(Vec::new()), false),
                Kind::Real => (Values::F64(Vec::new()), true),
                Kind::Real32 => (Values::F32(Vec::new()), true),
                Kind::Bool => (Values::Bool(Vec::new()), false),
            };
            buffers.push(Buffer {
                values,
                defs: nullable.then(Vec::new),
            });
        }
        Ok(ParquetSink {
            writer,
            tmp,
            path: path.to_path_buf(),
            buffers,
            rows: 0,
            dates: None,
        })
    }

    fn row<S: AsRef<str>>(&mut self, spec: &TableSpec, cells: &[S]) -> Result<(), ResultsError> {
        if let Some(at) = spec.drop_empty
            && cells[at].as_ref().is_empty()
        {
            return Ok(());
        }
        let row_no = self.rows + 1;
        let path = &self.path;
        let bad = |column: &Column, cell: &str| {
            ResultsError::corrupt(
                path,
                format!(
                    "row {row_no}, column {}: {:?} is not a {:?} cell",
                    column.name,
                    excerpt(cell, 40),
                    column.kind
                ),
            )
        };
        let mut b = 0;
        for (column, cell) in spec.columns.iter().zip(cells) {
            let cell = cell.as_ref();
            let buffer = &mut self.buffers[b];
            match (&mut buffer.values, column.kind) {
                (Values::Bytes(v), Kind::Text) => v.push(ByteArray::from(cell)),
                (Values::Bytes(v), Kind::Name) => v.push(ByteArray::from(parse_text_cell(cell))),
                (Values::Bytes(kinds), Kind::Scope) => {
                    let (kind, name) = match cell.split_once(':') {
                        Some((kind, name)) => (kind, Some(name)),
                        None => (cell, None),
                    };
                    kinds.push(ByteArray::from(kind));
                    b += 1;
                    let names = &mut self.buffers[b];
                    if let (Values::Bytes(v), Some(defs)) = (&mut names.values, &mut names.defs) {
                        defs.push(i16::from(name.is_some()));
                        if let Some(name) = name {
                            v.push(ByteArray::from(name));
                        }
                    }
                }
                (Values::I64(v), Kind::Int) => {
                    v.push(cell.parse().map_err(|_| bad(column, cell))?);
                }
                (Values::I32(v), Kind::Date) => {
                    let (days, form) = parse_date(cell).ok_or_else(|| bad(column, cell))?;
                    match self.dates {
                        None => self.dates = Some(form),
                        Some(f) if f != form => return Err(bad(column, cell)),
                        Some(_) => {}
                    }
                    v.push(days);
                }
                (Values::F64(v), Kind::Real) => {
                    let x = parse_value(cell).map_err(|_| bad(column, cell))?;
                    push_optional(v, buffer.defs.as_mut(), (!x.is_nan()).then_some(x));
                }
                (Values::F32(v), Kind::Real32) => {
                    let x: Option<f32> = if cell.is_empty() {
                        None
                    } else {
                        Some(cell.parse().map_err(|_| bad(column, cell))?)
                    };
                    push_optional(v, buffer.defs.as_mut(), x.filter(|x| !x.is_nan()));
                }
                (Values::Bool(v), Kind::Bool) => v.push(match cell {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad(column, cell)),
                }),
                _ => unreachable!("buffers are made from the spec"),
            }
            b += 1;
        }
        self.rows += 1;
        if self.rows.is_multiple_of(ROW_GROUP_ROWS) {
            self.flush_group()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush_group(&mut self) -> Result<(), ResultsError> {
        let path = &self.path;
        let mut group = self.writer.next_row_group().map_err(parquet_error(path))?;
        for buffer in &mut self.buffers {
            let mut column = group
                .next_column()
                .map_err(parquet_error(path))?
                .expect("a column per buffer");
            let defs = buffer.defs.as_deref();
            match &buffer.values {
                Values::Bytes(v) => column.typed::<ByteArrayType>().write_batch(v, defs, None),
                Values::I64(v) => column.typed::<Int64Type>().write_batch(v, defs, None),
                Values::I32(v) => column.typed::<Int32Type>().write_batch(v, defs, None),
                Values::F64(v) => column.typed::<DoubleType>().write_batch(v, defs, None),
                Values::F32(v) => column.typed::<FloatType>().write_batch(v, defs, None),
                Values::Bool(v) => column.typed::<BoolType>().write_batch(v, defs, None),
            }
            .map_err(parquet_error(path))?;
            column.close().map_err(parquet_error(path))?;
            buffer.clear();
        }
        group.close().map_err(parquet_error(path))?;
        Ok(())
    }

    fn finish(mut self, spec: &TableSpec) -> Result<(), ResultsError> {
        if !self.rows.is_multiple_of(ROW_GROUP_ROWS) {
            self.flush_group()?;
        }
        let stored = StoredSpec {
            spec: spec.clone(),
            dates: self.dates,
        };
        self.writer.append_key_value_metadata(KeyValue::new(
            SPEC_KEY.to_string(),
            serde_json::to_string(&stored).expect("a table spec serializes"),
        ));
        self.writer.append_key_value_metadata(KeyValue::new(
            ARROW_SCHEMA_KEY.to_string(),
            spec.arrow_schema(),
        ));
        let path = self.path;
        let mut out = self.writer.into_inner().map_err(parquet_error(&path))?;
        out.flush().map_err(ResultsError::io(&path))?;
        drop(out);
        self.tmp.persist(&path)?;
        Ok(())
    }
}

fn push_optional<T>(values: &mut Vec<T>, defs: Option<&mut Vec<i16>>, x: Option<T>) {
    let defs = defs.expect("a nullable column has definition levels");
    defs.push(i16::from(x.is_some()));
    if let Some(x) = x {
        values.push(x);
    }
}

fn parquet_error(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> ResultsError + '_ {
    move |e| match e {
        parquet::errors::ParquetError::External(source) => ResultsError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(source),
        },
        other => ResultsError::corrupt(path, excerpt(&other.to_string(), 200)),
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian `year-month-day` (Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 as (year, month, day) (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A tick date cell as days since 1970-01-01 and its form.
fn parse_date(cell: &str) -> Option<(i32, DateForm)> {
    let mut parts = cell.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let (day, form) = match parts.next() {
        Some(d) => (d.parse().ok()?, DateForm::Day),
        None => (1, DateForm::Month),
    };
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // A day past the month's end would roll over: refuse it instead.
    (civil_from_days(days) == (year, month, day))
        .then(|| i32::try_from(days).ok())
        .flatten()
        .map(|d| (d, form))
}

fn format_date(days: i32, form: DateForm) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    match form {
        DateForm::Month => format!("{y:04}-{m:02}"),
        DateForm::Day => format!("{y:04}-{m:02}-{d:02}"),
    }
}

/// A table read back: the CSV header and each row's cells, as the CSV form holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The CSV header.
    pub header: Vec<String>,
    /// The rows' cells.
    pub rows: Vec<csv::StringRecord>,
}

/// Reads the table at `path`, CSV or Parquet by its extension, as CSV header and cells: a
/// Parquet table gives exactly the cells of its CSV form (less the rows it leaves out).
pub fn read_table(path: &Path) -> Result<Table, ResultsError> {
    if path.extension().is_some_and(|e| e == "parquet") {
        read_parquet(path)
    } else {
        let mut reader =
            csv::Reader::from_reader(std::io::BufReader::new(owned::open_regular(path)?));
        let header = reader
            .headers()
            .map_err(crate::files::csv_error(path))?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(crate::files::csv_error(path))?;
        Ok(Table { header, rows })
    }
}

fn read_parquet(path: &Path) -> Result<Table, ResultsError> {
    let file = owned::open_regular(path)?;
    let reader = SerializedFileReader::new(file).map_err(parquet_error(path))?;
    let meta = reader.metadata().file_metadata();
    let stored: StoredSpec = meta
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == SPEC_KEY))
        .and_then(|k| k.value.as_deref())
        .and_then(|v| serde_json::from_str(v).ok())
        .ok_or_else(|| {
            ResultsError::corrupt(path, format!("no {SPEC_KEY} metadata: not a Civitas table"))
        })?;
    let spec = stored.spec;
    let expected = spec.schema().map_err(parquet_error(path))?;
    if meta.schema().get_fields() != expected.get_fields() {
        return Err(ResultsError::corrupt(
            path,
            format!(
                "its columns are not those its metadata names ({})",
                excerpt(&spec.parquet_names().join(","), 80)
            ),
        ));
    }
    let mut rows = Vec::new();
    let rows_iter = reader.get_row_iter(None).map_err(parquet_error(path))?;
    for (i, row) in rows_iter.enumerate() {
        let row = row.map_err(parquet_error(path))?;
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let bad =
            || ResultsError::corrupt(path, format!("row {}: a value of the wrong type", i + 1));
        let mut cells: Vec<String> = Vec::with_capacity(spec.columns.len());
        let mut f = 0;
        for column in &spec.columns {
            let field = fields.get(f).ok_or_else(bad)?;
            let cell = match (column.kind, field) {
                (Kind::Text, Field::Str(s)) => s.clone(),
                (Kind::Name, Field::Str(s)) => text_cell(s).into_owned(),
                (Kind::Scope, Field::Str(kind)) => {
                    f += 1;
                    match fields.get(f).ok_or_else(bad)? {
                        Field::Str(name) => format!("{kind}:{name}"),
                        Field::Null => kind.clone(),
                        _ => return Err(bad()),
                    }
                }
                (Kind::Int, Field::Long(x)) => x.to_string(),
                (Kind::Date, Field::Date(d)) => {
                    format_date(*d, stored.dates.unwrap_or(DateForm::Month))
                }
                (Kind::Real, Field::Double(x)) => format_value(*x),
                (Kind::Real32, Field::Float(x)) => format_f32(*x),
                (Kind::Real | Kind::Real32, Field::Null) => String::new(),
                (Kind::Bool, Field::Bool(b)) => b.to_string(),
                _ => return Err(bad()),
            };
            cells.push(cell);
            f += 1;
        }
        rows.push(csv::StringRecord::from(cells));
    }
    Ok(Table {
        header: spec.header().into_iter().map(str::to_string).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TableSpec {
        TableSpec::new(
            &[
                "scenario",
                "replicate",
                "date",
                "scope",
                "label",
                "value",
                "share",
                "met",
            ],
            &[
                Kind::Text,
                Kind::Int,
                Kind::Date,
                Kind::Scope,
                Kind::Name,
                Kind::Real,
                Kind::Real32,
                Kind::Bool,
            ],
        )
    }

    fn rows() -> Vec<[&'static str; 8]> {
        vec![
            [
                "base", "0", "2025-01", "city", "'=sum", "0.1", "0.3", "true",
            ],
            [
                "base",
                "1",
                "2025-02",
                "district:Old Town",
                "a",
                "",
                "",
                "false",
            ],
            [
                "base",
                "2",
                "2030-12",
                "band:senior",
                "b",
                "inf",
                "0.0000001",
                "true",
            ],
            [
                "base",
                "3",
                "2031-01",
                "district:a:b",
                "c",
                "-3.5e20",
                "2",
                "false",
            ],
        ]
    }

    fn write(dir: &Path, spec: TableSpec, format: TableFormat) -> PathBuf {
        let path = dir.join("t.csv");
        let mut w = TableWriter::create(&path, spec, format).unwrap();
        for r in rows() {
            w.row(&r).unwrap();
        }
        w.finish().unwrap();
        path
    }

    #[test]
    fn parquet_reads_back_as_the_csv_cells() {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = write(dir.path(), spec(), TableFormat::Both);
        let from_csv = read_table(&csv_path).unwrap();
        let from_parquet = read_table(&parquet_path(&csv_path)).unwrap();
        assert_eq!(from_csv.rows.len(), 4);
        assert_eq!(from_csv, from_parquet);
        // Nothing but the two tables: the temporaries were renamed into place.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn rows_without_a_value_are_left_out_of_parquet_only() {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = write(
            dir.path(),
            spec().dropping_empty("value"),
            TableFormat::Both,
        );
        let from_csv = read_table(&csv_path).unwrap();
        let from_parquet = read_table(&parquet_path(&csv_path)).unwrap();
        assert_eq!(from_csv.rows.len(), 4);
        let kept: Vec<_> = from_csv
            .rows
            .iter()
            .filter(|r| !r[5].is_empty())
            .cloned()
            .collect();
        assert_eq!(from_parquet.rows, kept);
    }

    #[test]
    fn one_format_writes_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = write(dir.path(), spec(), TableFormat::Parquet);
        assert!(!csv_path.exists());
        assert_eq!(existing_table(&csv_path), Some(parquet_path(&csv_path)));
        let other = tempfile::tempdir().unwrap();
        let csv_path = write(other.path(), spec(), TableFormat::Csv);
        assert!(!parquet_path(&csv_path).exists());
        assert_eq!(existing_table(&csv_path), Some(csv_path));
    }

    #[test]
    fn many_row_groups_keep_every_row_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.csv");
        let spec = TableSpec::new(&["i", "x"], &[Kind::Int, Kind::Real]);
        let mut w = TableWriter::create(&path, spec, TableFormat::Parquet).unwrap();
        let n = ROW_GROUP_ROWS * 2 + 7;
        for i in 0..n {
            w.row(&[i.to_string(), format_value(i as f64 / 3.0)])
                .unwrap();
        }
        w.finish().unwrap();
        let table = read_table(&parquet_path(&path)).unwrap();
        assert_eq!(table.rows.len(), n);
        assert_eq!(&table.rows[n - 1][0], &(n - 1).to_string());
        assert_eq!(&table.rows[n - 1][1], &format_value((n - 1) as f64 / 3.0));
    }

    #[test]
    fn dates_convert_both_ways() {
        assert_eq!(parse_date("1970-01"), Some((0, DateForm::Month)));
        assert_eq!(parse_date("2024-03-01"), Some((19_783, DateForm::Day)));
        assert_eq!(format_date(19_783, DateForm::Day), "2024-03-01");
        assert_eq!(format_date(19_783, DateForm::Month), "2024-03");
        for bad in ["2024-02-30", "2024-13", "2024", "x-01", "2024-01-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_parquet_file_not_written_by_civitas_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        std::fs::write(&path, b"PAR1 not really").unwrap();
        assert!(matches!(
            read_table(&path),
            Err(ResultsError::Corrupt { .. })
        ));
    }
}
