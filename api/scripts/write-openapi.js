#!/usr/bin/env node
// Writes the built api's OpenAPI document to api/openapi.json (run after `npm run build -w api`).
const { writeFileSync } = require("node:fs");
const path = require("node:path");
const { buildOpenApiDocument } = require("../dist/openapi/document");

const target = path.join(__dirname, "..", "openapi.json");
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
