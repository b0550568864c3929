/**
 * The access-path indexes of `runs` as both stores have them since their
 * schema 2 (the same SQL in either dialect): one per filter, ending in the
 * list order (created_at, session_id), then the filter most often combined
 * with it (status with a workflow or a credential; workflow with a status),
 * so that a page filtered by both checks them on the index entry and reads
 * the table only for the runs it returns. A released migration keeps this
 * text: change the indexes in a new one.
 */
export const ACCESS_INDEXES_V2 = `
  DROP INDEX runs_by_workflow;
  DROP INDEX runs_by_credential;
  DROP INDEX runs_by_status;
  CREATE INDEX runs_by_workflow ON runs (workspace, workflow_id, created_at, session_id, status);
  CREATE INDEX runs_by_credential ON runs (workspace, credential_id, created_at, session_id, status);
  CREATE INDEX runs_by_status ON runs (workspace, status, created_at, session_id, workflow_id);
`;
