-- AlterTable
ALTER TABLE "CrawlFrontier" ADD COLUMN     "foundOn" TEXT;

-- CreateIndex
CREATE INDEX "RunUrl_runId_inlinks_url_idx" ON "RunUrl"("runId", "inlinks", "url");

-- CreateIndex
CREATE INDEX "RunUrl_runId_depth_url_idx" ON "RunUrl"("runId", "depth", "url");

-- CreateIndex
-- NULLS LAST by hand (schema.prisma cannot spell it): the inventory's status:desc order is DESC NULLS LAST.
CREATE INDEX "RunUrl_runId_status_url_idx" ON "RunUrl"("runId", "status" DESC NULLS LAST, "url" DESC);
