// Version 2: status and the health server list who holds which job; the jobs table keeps every compacted job, so the
// few claimed rows get an index of their own.
export const sql = `
CREATE INDEX heraut_jobs_claimed ON heraut_jobs (namespace, id) WHERE claim_holder IS NOT NULL;
`;
