-- AlterTable
ALTER TABLE "RunUrl" ADD COLUMN     "contentType" TEXT,
ADD COLUMN     "detail" JSONB,
ADD COLUMN     "foundOn" TEXT,
ADD COLUMN     "inlinks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastmodSource" TEXT;

-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "collapseDuplicates" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "RunUrl_runId_contentHash_idx" ON "RunUrl"("runId", "contentHash");
