// The part of s3rver's API (3.x, lib/s3rver.js; the package ships no types) that tests/helpers/s3.ts uses.
declare module "s3rver" {
  import type { EventEmitter } from "node:events";
  type S3rverOptions = {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  };
  type S3rverEvent = { Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number } } }[] };
  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    on(event: "event", listener: (e: S3rverEvent) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
