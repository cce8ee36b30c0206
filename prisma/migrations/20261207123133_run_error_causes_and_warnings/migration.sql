-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "errorCode" TEXT,
ADD COLUMN     "errorDetail" JSONB,
ADD COLUMN     "errorHint" TEXT,
ADD COLUMN     "warnings" TEXT[] DEFAULT ARRAY[]::TEXT[];
