import { defineConfig } from "prisma/config";

// process.env, not prisma's env(): env() throws when the variable is unset, and `prisma generate`
// must work in an image build that has no database. Migrations use the direct host when given
// (Neon's pooler cannot run them). MIGRATIONS_DIR is the migrator's override (README), honoured
// here too so both of its paths apply the same folder.
export default defineConfig({
  schema: "prisma/schema.prisma",
  // `||`, not `??`: `NAME=` in .env means unset, so an empty value falls back too.
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- see above
  migrations: { path: process.env.MIGRATIONS_DIR || "prisma/migrations" },
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- see above
  datasource: { url: process.env.DIRECT_URL || process.env.DATABASE_URL || "" },
});
