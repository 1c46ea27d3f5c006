import type { FeaturesConfig } from '../config/features-schema.js';

/** One commit a release adds over another (`git log prev..new`). */
export interface CommitSummary {
  readonly commit: string;
  /** `Name <email>`. */
  readonly author: string;
  /** The message's first line. */
  readonly subject: string;
}

export interface FeatureRef {
  readonly id: string;
  readonly link?: string;
  /** The commits that name it, by full id. */
  readonly commits: readonly string[];
}

/**
 * The feature and issue IDs the commits name, in first-seen order, each with the commits that
 * name it. Only subjects are read: a trailer such as "See also #12" in a body is not the commit's
 * feature, and a subject is what git log, CodeCommit and the terminal all show.
 */
export function featureIds(commits: readonly CommitSummary[], config: FeaturesConfig): FeatureRef[] {
  const found = new Map<string, string[]>();
  for (const c of commits) {
    for (const source of config.patterns) {
      for (const match of c.subject.matchAll(new RegExp(source, 'g'))) {
        const id = match[0];
        if (!id) continue;
        const named = found.get(id) ?? [];
        if (!named.includes(c.commit)) named.push(c.commit);
        found.set(id, named);
      }
    }
  }
  return [...found].map(([id, named]) => ({
    id,
    ...(config.link ? { link: featureLink(id, config.link) } : {}),
    commits: named,
  }));
}

/** The tracker link for an ID; a GitHub-style `#12` links as `12`. */
export function featureLink(id: string, template: string): string {
  return template.replaceAll('{id}', encodeURIComponent(id.replace(/^#/, '')));
}
