-- CreateTable
CREATE TABLE "RunAudit" (
    "runId" TEXT NOT NULL,
    "source" TEXT,
    "found" BOOLEAN NOT NULL DEFAULT false,
    "files" JSONB NOT NULL DEFAULT '[]',
    "sitemapUrls" INTEGER NOT NULL DEFAULT 0,
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunAudit_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "RunAuditFinding" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT,
    "detail" JSONB,

    CONSTRAINT "RunAuditFinding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RunAuditFinding_runId_url_idx" ON "RunAuditFinding"("runId", "url");

-- CreateIndex
CREATE UNIQUE INDEX "RunAuditFinding_runId_kind_url_key" ON "RunAuditFinding"("runId", "kind", "url");

-- AddForeignKey
ALTER TABLE "RunAudit" ADD CONSTRAINT "RunAudit_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunAuditFinding" ADD CONSTRAINT "RunAuditFinding_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
