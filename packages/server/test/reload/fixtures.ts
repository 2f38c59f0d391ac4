/** A service a reload adds: one script node, so the new probers have something to run at once. */
export const CACHE_SERVICE = `
[[probe.service]]
id = "cache"
label = "Cache"
[[probe.service.node]]
id = "redis"
label = "Redis"
mode = "script"
scripts = ["exit 0"]
`;
