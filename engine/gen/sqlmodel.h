/*
 * sqlmodel: the `gen models` target for Python SQLModel (genmodel.h),
 * written for Debian's python3-sqlmodel 0.0.8 (pydantic 1.10, SQLAlchemy
 * 1.4) and working with SQLModel on pydantic 2 as well: a loader
 * validates with `model_validate` where the model has it, `validate`
 * otherwise (table=True models skip validation on construction).
 *
 * What a model module holds, per table:
 *   - a str Enum class per ENUM column (per distinct value list);
 *   - `<Table>Base(SQLModel)`: the safe-base columns as plain fields;
 *   - `<Table>V<n>(<Table>Base, V<n>Model, table=True)` per version, every
 *     column of that version with its SQLAlchemy MySQL dialect type, its
 *     keys, indexes, foreign keys, checks and table options. SQLModel puts
 *     a base's fields first, so a version that inserts a column mid-table
 *     creates it after the base's columns (the note lists that and what
 *     else is approximate).
 * Attribute names are pyname's; a renamed one keeps the real column name.
 * Imports follow the paths: `from a.b import X` where every part of the
 * path is an identifier, importlib otherwise.
 *
 * Pure functions, thread-safe.
 */
#ifndef RHIZOME_SQLMODEL_H
#define RHIZOME_SQLMODEL_H

#include "engine/gen/genmodel.h"

extern const struct gen_target gen_sqlmodel;

#endif
