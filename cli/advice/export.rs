//! Next steps for exports and imports.

use bitbucket_setup_core::export::ExportError;
use bitbucket_setup_core::manage::ExportFlowError;
use bitbucket_setup_core::shell::Program;

pub fn for_export(_e: &ExportError, _program: &Program) -> Option<String> {
    None
}

pub fn for_export_flow(_e: &ExportFlowError, _program: &Program) -> Option<String> {
    None
}
