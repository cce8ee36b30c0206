/**
 * Shapes and shorthands shared by the OpenAPI core (lib/api/openapi.ts) and its area modules (lib/api/openapi-areas.ts):
 * an Endpoint entry names its method, path, access (key scope, "session" or "public"), request body and query
 * schemas, success responses and the error codes it can answer. Runtime-free of openapi.ts so areas can import it.
 */
import type { z } from "zod";
import type { ErrorCode } from "@/lib/core/errors";
import type { ApiScope } from "@/lib/schemas/api-keys";

/** A name under #/components/schemas (core SCHEMAS or an area's `schemas`). */
export type SchemaName = string;

export type Success =
  | {
      status: number;
      description: string;
      data?: SchemaName;
      list?: SchemaName;
      headers?: string[];
      /** A list body's extra top-level property `summary`, of this schema (next to `data` and `next_cursor`). */
      listSummary?: SchemaName;
      /** The same list is also served as text/csv (`?format=csv` or `Accept: text/csv`). */
      csv?: boolean;
    }
  | { status: number; description: string; media: string };

/** Who may call: a key scope (or the session), "session" only, or "public". */
export type Access = ApiScope | "session" | "public";

export type Endpoint = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  access: Access;
  body?: SchemaName;
  query?: z.ZodObject;
  success: Success[];
  errors: ErrorCode[];
  /** The status an error code is answered with, where it differs from lib/core/errors.ts (e.g. 400 for the list
   *  grammar's query errors, an adapter's own table); undefined → the usual status. */
  errorStatus?: (code: ErrorCode) => number | undefined;
  /** Schema of this endpoint's error bodies when it is not the native envelope `Error` (compatibility adapters). */
  errorBody?: SchemaName;
  /** Tag grouping the endpoint in the document; default: the resource after /api/v1/. */
  tag?: string;
};

/** The list grammar (lib/api/list-query.ts) answers every query error with 400, as the shop API does. */
export const LIST_QUERY_ERRORS: ErrorCode[] = ["syntax_error", "unknown_field", "unknown_operation", "invalid_value"];
/**
 * An Endpoint's `errorStatus` for list endpoints: 400 for the list grammar's query errors, else undefined (the usual
 * status).
 */
export const listQueryStatus = (code: ErrorCode): number | undefined => (LIST_QUERY_ERRORS.includes(code) ? 400 : undefined);

/** A 200 Success whose body is a page of `name` items (`{ data: [...], next_cursor }`), described as `what`. */
export const list = (name: SchemaName, what: string): Success => ({ status: 200, description: what, list: name });
export const COMMON: ErrorCode[] = ["unauthorized", "rate_limited", "quota_exceeded", "forbidden"];
export const BODY_ERRORS: ErrorCode[] = ["syntax_error", "payload_too_large", "unsupported_media_type", "invalid_value", "invalid_format", "missing", "unknown_field"];
export const IDEMPOTENCY: ErrorCode[] = ["idempotency_key_reused", "idempotency_in_progress"];

