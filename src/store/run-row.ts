/** A workspace as a store knows it: the small integer that leads every key and index, and its UUID. */
export interface WorkspaceRef {
  num: number;
  id: string;
}

/** The columns of a run as a driver returns them; `Flag` is how it returns a boolean (SQLite has none). */
export interface RunRow<Flag = boolean> {
  session_id: string;
  workflow_id: string;
  status: string;
  created_at: number;
  execution_start: number | null;
  execution_end: number | null;
  dry_run: Flag;
  credential_id: string | null;
}
