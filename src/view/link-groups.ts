/**
 * Tours linked with grandtour.link share one clock and, per dimension, one orientation:
 * they rotate in lockstep and a drag in one steers all, with no kernel round trip.
 */
import { TourClock } from '../core/clock';
import type { Orientation } from '../core/orientation';
import { pageShared } from '../page-shared';
import type { HandleData, TourSession } from './session';

export interface LinkGroup {
  readonly id: string;
  readonly clock: TourClock;
  readonly orientations: Map<number, Orientation>;
  readonly members: Set<TourSession>;
  selection: boolean;
  handles: boolean;
}

/** What a group passes on besides the clock and the orientation. */
export interface LinkOptions {
  selection: boolean;
  handles: boolean;
}

/** A change made in one linked tour that the others' adapters must tell their models. */
export type LinkedChange =
  | { kind: 'selection'; indices: Uint32Array }
  | { kind: 'handles'; handles: HandleData[] }
  | { kind: 'playing'; playing: boolean };

/** Page-wide, like the sessions: two Tours may run two instances of this bundle. */
const linkGroups = pageShared('links', () => new Map<string, LinkGroup>());

/**
 * Add `member` to group `id`, making the group if it is new. A new group's clock carries
 * on from the first member's own clock, and an empty group adopts the joining member's
 * orientation, so the first tour to join does not jump.
 */
export function joinLinkGroup(
  id: string,
  member: TourSession,
  options: LinkOptions,
  ownClock: TourClock,
  orientation: Orientation | null,
): LinkGroup {
  let group = linkGroups.get(id);
  if (!group) {
    group = { id, clock: new TourClock(performance.now(), ownClock.playing, ownClock.speed, ownClock.time(performance.now())), orientations: new Map(), members: new Set(), ...options };
    linkGroups.set(id, group);
  }
  Object.assign(group, options);
  if (group.members.size === 0 && orientation) group.orientations.set(orientation.plan.dims, orientation);
  group.members.add(member);
  return group;
}

/** The last member out removes the group, so a later link of that id starts afresh. */
export function leaveLinkGroup(group: LinkGroup, member: TourSession): void {
  group.members.delete(member);
  if (group.members.size === 0) linkGroups.delete(group.id);
}

/** Whether the group passes this change on (the play state always goes, with the clock). */
export function linkCarries(group: LinkGroup, change: LinkedChange): boolean {
  if (change.kind === 'selection') return group.selection;
  if (change.kind === 'handles') return group.handles;
  return true;
}
