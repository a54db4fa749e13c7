/**
 * The MQTT topic tree receivers publish under and a hub subscribes to (docs/mqtt.md):
 *
 *   rid/<site>/<receiver>/frames   batches of received Remote ID frames (QoS 1)
 *   rid/<site>/<receiver>/status   the receiver's position and health (QoS 1, retained; the broker's
 *                                  last will says it went offline)
 *
 * Site and receiver IDs are single topic levels chosen by people: letters, digits, '.', '_' and '-' only, so
 * no MQTT wildcard (+ #), separator (/), system prefix ($) or invisible character can come from an option.
 */

import { UsageError } from '@odid/commands';

export const TOPIC_ROOT = 'rid';
export const DEFAULT_SITE = 'default';

/** What a topic level (site, receiver ID) may be. */
export const TOPIC_LEVEL = /^[A-Za-z0-9._-]{1,64}$/;

export type TopicKind = 'frames' | 'status';

/** The ID as given, or a UsageError saying what is allowed (for --site and --receiver-id). */
export function checkTopicLevel(option: string, value: string): string {
  if (TOPIC_LEVEL.test(value)) return value;
  throw new UsageError('bad-value', `${JSON.stringify(value.slice(0, 80))} is not a valid ID`, {
    subject: option,
    fix: 'use 1 to 64 letters, digits, ".", "_" or "-" (no spaces, "/", "+", "#" or "$": it becomes one MQTT topic level)',
  });
}

/** A receiver ID from a host name: what is not allowed becomes "-" ("rx" when nothing is left). */
export function receiverIdFrom(hostname: string): string {
  const id = hostname.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return id || 'rx';
}

export const topicOf = (site: string, receiver: string, kind: TopicKind): string => `${TOPIC_ROOT}/${site}/${receiver}/${kind}`;

/** What a hub subscribes to: every receiver of one site. */
export const siteFilter = (site: string): string => `${TOPIC_ROOT}/${site}/+/+`;

/** A topic of the tree, split; undefined for anything else (another application's topic on the same broker). */
export function parseTopic(topic: string): { site: string; receiver: string; kind: TopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return undefined;
  const [, site, receiver, kind] = parts as [string, string, string, string];
  if (!TOPIC_LEVEL.test(site) || !TOPIC_LEVEL.test(receiver) || (kind !== 'frames' && kind !== 'status')) return undefined;
  return { site, receiver, kind };
}
