export const when = (d: Date) => d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
