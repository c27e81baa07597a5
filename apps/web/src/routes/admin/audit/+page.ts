// The audit log reads in the browser: its day filters mean days of the admin's own time zone.
export const ssr = false;
