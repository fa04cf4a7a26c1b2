// What differs between the SQL of SQLite and of PostgreSQL, and nothing else.
//
// Statements and schema steps are written once in a neutral form (see render below) and turned
// into each backend's SQL here. The differences are few and named: placeholders, casts, a handful
// of tokens (row locks, string search, insertion order), the upsert form, and two behaviours the
// generic layer asks about (how a process's attributes come back, how their state is updated).
#pragma once
#include <string>
#include <string_view>

namespace colonies::store::sql {

enum class Dialect { Sqlite, Postgres };

// Neutral SQL -> the dialect's SQL.
//  * `$N` is parameter N (1-based); `$N::type` casts it on PostgreSQL (type inference of a
//    prepared statement needs it where a parameter is only compared with another parameter or a
//    literal); SQLite gets `?N` without the cast.
//  * `{token}` outside quotes is replaced per dialect:
//      {for_update}      row lock of the rows read (" FOR UPDATE"); SQLite has one writer.
//      {lock_processes}  the same for a statement that also reads attributes in a subquery.
//      {skip_locked}     claim a row another transaction is not claiming.
//      {instr}           position of a substring (instr / strpos).
//      {greatest}        larger of two values (max / GREATEST).
//      {seq}             insertion order of a row (rowid / the seq column).
//      {seq_key}         ", seq" as an index's last key on PostgreSQL; SQLite indexes carry the
//                        rowid already.
//      {process_attrs}   PostgreSQL: one more column, the process's attributes as a JSON array
//                        of their documents (see inline_attributes).
//      {submissiontime_of_doc}  a processes row's submission time in Unix ns, read from its
//                        document (a migration fills the column with it).
//    An unknown token is a programming error (std::logic_error).
std::string render(Dialect d, std::string_view neutral);

// Whether a process read returns its attributes in a second column ({process_attrs}); otherwise
// they are read with Stmt::AttributesOf.
inline bool inline_attributes(Dialect d) {
    return d == Dialect::Postgres;
}

// Whether Stmt::SetAttributeStates rewrites the attribute documents in the database in one
// statement (jsonb); otherwise each document is read, changed and written back.
inline bool in_place_attribute_states(Dialect d) {
    return d == Dialect::Postgres;
}

}  // namespace colonies::store::sql
