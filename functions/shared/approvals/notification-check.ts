import { InvalidInputError } from '../errors.js';
import type { Notification } from '../ports/notifier.js';

/** Every notifier refuses the same malformed notices before sending anything. */
export function assertNotification(n: Notification): void {
  if (!n || typeof n !== 'object') throw new InvalidInputError('notification must be an object');
  if (typeof n.subject !== 'string' || !n.subject.trim())
    throw new InvalidInputError('notification needs a subject');
  if (typeof n.body !== 'string') throw new InvalidInputError('notification body must be a string');
  if (n.link !== undefined && (typeof n.link !== 'string' || !/^https?:\/\//.test(n.link)))
    throw new InvalidInputError('notification link must be an http(s) URL');
  if (!n.data || typeof n.data !== 'object' || Array.isArray(n.data))
    throw new InvalidInputError('notification data must be an object');
}
