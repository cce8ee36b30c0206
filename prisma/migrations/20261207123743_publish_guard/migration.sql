-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'held';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "heldDetail" JSONB,
ADD COLUMN     "heldReason" TEXT;

-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "publishGuard" DOUBLE PRECISION DEFAULT 0.3;
