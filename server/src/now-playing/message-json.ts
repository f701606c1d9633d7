/**
 * The hub's messages as JSON text, built by functions typed against the protocol types.
 *
 * A broadcast lists every device, and re-serialising all of them on each update would make the
 * fan-out quadratic: each device's JSON is kept as a `JsonText<Device>`, and a message is put
 * together from such fragments. `messageJson<M>` takes every field of M, each as a value or as
 * the JSON of a value of that field's type, so a message missing a field, or with a field of the
 * wrong type, does not compile.
 */
import type { ServerMessage } from '@musicsharer/shared';

/** `JSON.stringify` of a T, made once and spliced into larger messages as it is. */
export class JsonText<T> {
  /** The type whose JSON this is: compile time only, so JsonText<A> is not a JsonText<B>. */
  declare private readonly of: T;

  constructor(readonly text: string) {}
}

export function toJson<T>(value: T): JsonText<T> {
  return new JsonText<T>(JSON.stringify(value));
}

/** A JSON array of the given elements, in order. */
export function jsonArray<T>(elements: Iterable<JsonText<T>>): JsonText<T[]> {
  let text = '';
  for (const element of elements) text += text === '' ? element.text : ',' + element.text;
  return new JsonText<T[]>('[' + text + ']');
}

/** Each field of M as a value, or as that value's JSON. (No protocol message has optional fields.) */
export type MessageFields<M extends ServerMessage> = { [K in keyof M]: M[K] | JsonText<M[K]> };

/** A protocol message's JSON, fields in the order given. */
export function messageJson<M extends ServerMessage>(fields: MessageFields<M>): JsonText<M> {
  let text = '{';
  for (const key in fields) {
    const value: unknown = fields[key];
    if (text.length > 1) text += ',';
    text += JSON.stringify(key) + ':' + (value instanceof JsonText ? value.text : JSON.stringify(value));
  }
  return new JsonText<M>(text + '}');
}
