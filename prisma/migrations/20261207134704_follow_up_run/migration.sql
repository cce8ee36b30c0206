-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "followUpTrigger" "RunTrigger";
