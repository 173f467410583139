export { ApprovalsScreen } from './approvals.tsx';
export { CatalogueEditor } from './catalogue-editor.tsx';
export { AdminDashboard } from './dashboard.tsx';
export { DirectoryEditor } from './directory-editor.tsx';
export { ReportsScreen } from './reports.tsx';
