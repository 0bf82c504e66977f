// Builds dist/ when the package is installed from a checkout (`npm install ./sdks/typescript`):
// npm then links this folder without its dev dependencies, so they are installed here first.

import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (command) => execSync(command, { cwd: root, stdio: "inherit" });

if (!existsSync(`${root}/node_modules/typescript`)) {
  run("npm ci --ignore-scripts --no-audit --no-fund");
}
run("npx tsc -p .");
