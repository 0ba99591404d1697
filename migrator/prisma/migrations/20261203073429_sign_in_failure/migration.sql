-- CreateTable
CREATE TABLE "sign_in_failure" (
    "email" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "lastFailureAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "sign_in_failure_pkey" PRIMARY KEY ("email")
);

-- CreateIndex
CREATE INDEX "sign_in_failure_lastFailureAt_idx" ON "sign_in_failure"("lastFailureAt");
