//! Next steps after a check (the validation report).
