"use client";
// One task in the list: a checkbox completes and un-completes it, its title (a button) turns into
// a field to rename it in place (Enter or leaving the field saves, Escape cancels), and Delete asks
// for a confirmation in the row itself. All of it works from the keyboard. The row's text is the
// title alone (the buttons are labelled for assistive technology, their glyphs are drawn), so the
// list reads as a list of titles. A change is shown once the API has accepted it; a refusal is
// reported by the dashboard and the row keeps what the API last said.
import { type KeyboardEvent, type SubmitEvent, useRef, useState } from "react";
import { TITLE_MAX } from "@authbridge/api-types";
import type { Task } from "../lib/api-client";
import styles from "./TaskItem.module.css";

export interface TaskActions {
  /** Each resolves once the API answered; false when it refused (the dashboard shows why). */
  change(task: Task, changes: { title?: string; done?: boolean }): Promise<boolean>;
  remove(task: Task): Promise<boolean>;
}

const CrossIcon = () => (
  <svg aria-hidden="true" focusable="false" width="14" height="14" viewBox="0 0 14 14">
    <path d="M2 2 L12 12 M12 2 L2 12" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
  </svg>
);

export function TaskItem({ task, actions }: { task: Task; actions: TaskActions }) {
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // Enter, then the field's blur as it goes away, or Escape, then that blur: one edit ends once.
  const editing = useRef(false);

  function edit() {
    editing.current = true;
    setDraft(task.title);
  }

  function stopEditing() {
    editing.current = false;
    setDraft(null);
  }

  async function run(action: () => Promise<boolean>): Promise<boolean> {
    setBusy(true);
    try {
      return await action();
    } finally {
      setBusy(false);
    }
  }

  async function save(event?: SubmitEvent<HTMLFormElement>) {
    event?.preventDefault();
    if (draft === null || !editing.current) return;
    editing.current = false;
    const title = draft.trim();
    if (title === "" || title === task.title) return stopEditing();
    if (await run(() => actions.change(task, { title }))) stopEditing();
    else editing.current = true;
  }

  function onKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") stopEditing();
  }

  return (
    <li className={task.done ? `${styles.task} ${styles.done}` : styles.task} aria-busy={busy}>
      <input
        type="checkbox"
        checked={task.done}
        disabled={busy}
        aria-label={`Done: ${task.title}`}
        onChange={(event) => void run(() => actions.change(task, { done: event.target.checked }))}
      />
      {draft === null ? (
        <button type="button" className={styles.title} aria-label={`Rename: ${task.title}`} onClick={edit} disabled={busy}>
          {task.title}
        </button>
      ) : (
        <form onSubmit={(event) => void save(event)} className={styles.rename}>
          <input
            aria-label={`New title for: ${task.title}`}
            value={draft}
            maxLength={TITLE_MAX}
            required
            autoFocus
            // Read-only rather than disabled while saving: disabling would take the focus away.
            readOnly={busy}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKey}
            onBlur={() => void save()}
          />
        </form>
      )}
      {confirming ? (
        <span className={styles.confirm} role="group" aria-label={`Delete ${task.title}?`}>
          <button type="button" className={styles.danger} autoFocus disabled={busy} onClick={() => void run(() => actions.remove(task))}>
            Delete
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(false)}>
            Keep
          </button>
        </span>
      ) : (
        <button type="button" className={styles.icon} aria-label={`Delete: ${task.title}`} disabled={busy} onClick={() => setConfirming(true)}>
          <CrossIcon />
        </button>
      )}
    </li>
  );
}
