// What the generated resource methods are built from.

import type { HttpClient, ListPage, RequestOptions } from "./client.js";

/** Any API object. */
export type VinrObject = Record<string, any> & { id: string };

/** A method's parameters: its documented fields, in snake_case or camelCase, and any others
 * the server accepts (the server checks them); nested objects (an order's items, a price's
 * `recurring`) likewise. */
export type Params<T = Record<string, unknown>> = { [K in keyof T]?: ParamValue<T[K]> } & {
  [K in keyof T as K extends string ? CamelCase<K> : never]?: ParamValue<T[K]>;
} & Record<string, unknown>;

type ParamValue<V> = V extends (infer U)[] ? ParamValue<U>[] : V extends object ? Params<V> : V;

/** A list call: awaited, the first page; iterated (`for await`), every object across pages.
 * Nothing is asked of the server until one of them starts. */
export type ListResult<T> = PromiseLike<ListPage<T>> & AsyncIterable<T>;

export function listResult<T>(
  http: HttpClient,
  path: string,
  params: Record<string, unknown>,
  options?: RequestOptions,
): ListResult<T> {
  let first: Promise<ListPage<T>> | undefined;
  const page = () => (first ??= http.request<ListPage<T>>("GET", path, params, options));
  return {
    then: (onFulfilled, onRejected) => page().then(onFulfilled, onRejected),
    [Symbol.asyncIterator]: () => http.list<T>(path, params, options, first)[Symbol.asyncIterator](),
  };
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** An API object as the SDK returns it: its snake_case properties, and each also under its
 * camelCase name (`checkout_url` and `checkoutUrl`), all the way down. */
export type Camel<T> = T extends (infer U)[]
  ? Camel<U>[]
  : T extends object
    ? { [K in keyof T]: Camel<T[K]> } & { [K in keyof T as K extends string ? CamelCase<K> : K]: Camel<T[K]> }
    : T;
