"""Bulk import of returnees from partner spreadsheets (xlsx, xls, CSV).

    reading.py     the file to a table of text cells, refusing what is not a usable sheet
    mapping.py     the fields a sheet may hold, the proposed mapping of its headers, saved mappings
    values.py      a cell to a value of the registry (dates, sexes, regions, value lists)
    checks.py      every row checked with the intake form's rules, duplicates found in bulk
    batches.py     a batch: upload, mapping, preview, decisions, import (a job), report, undo

The rules are the intake form's (grants/services/intake/beneficiaries.py: `check_profile`,
`duplicate_reasons`, `name_key`): a row is refused where the form would refuse it."""
