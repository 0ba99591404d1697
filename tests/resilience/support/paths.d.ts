export const repoRoot: string;
export const runDir: string;
export const logsDir: string;
export const recordsFile: string;
export const summaryFile: string;
export const secretsFile: string;
