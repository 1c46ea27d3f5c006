/** Tells people something needs them (SNS or a webhook on AWS, the console inbox locally). */
export interface Notification {
  readonly subject: string;
  readonly body: string;
  /** Where to act, e.g. the console approval page. Never contains a task token. */
  readonly link?: string;
  readonly data: Record<string, unknown>;
}

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}
