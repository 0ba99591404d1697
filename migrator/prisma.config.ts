import { defineConfig } from "prisma/config";

// process.env, not prisma's env(): env() throws when the variable is unset, and `prisma generate`
// must work in an image build that has no database. Migrations use the direct host when given
// (Neon's pooler cannot run them).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DIRECT_URL || process.env.DATABASE_URL || "" },
});
