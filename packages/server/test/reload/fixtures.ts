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

/** A service a reload adds whose one replica is dead at its first probe (nothing listens on port 1). */
export const REFUSED_SERVICE = `
[[probe.service]]
id = "db"
label = "DB"
[[probe.service.node]]
id = "pg"
label = "PG"
mode = "poll"
replicas = ["tcp://127.0.0.1:1"]
`;
