-- CreateTable
CREATE TABLE "ShopSubshop" (
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSubshop_pkey" PRIMARY KEY ("userId","key")
);

-- AddForeignKey
ALTER TABLE "ShopSubshop" ADD CONSTRAINT "ShopSubshop_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
