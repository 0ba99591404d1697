"use client";
import { useRouter } from "next/navigation";
import { type SubmitEvent, useCallback, useEffect, useMemo, useState } from "react";
import { TITLE_MAX } from "@authbridge/api-types";
import { ApiError, type Me, SignedOut, type Task, apiHealth, createApiClient, dataOf, succeeded } from "../lib/api-client";
import { type TaskActions, TaskItem } from "./TaskItem";

function describe(error: unknown): string {
  if (error instanceof ApiError) return `The API refused: ${error.message}`;
  return "Cannot reach the API. Check that it is running, then reload.";
}

/** apiUrl comes from the server at request time, so one built image works with any API_URL. */
export function Dashboard({ apiUrl }: { apiUrl: string }) {
  const router = useRouter();
  const api = useMemo(() => createApiClient(apiUrl), [apiUrl]);
  const [me, setMe] = useState<Me | null>(null);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [health, setHealth] = useState("checking…");
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState("");
  const [adding, setAdding] = useState(false);

  const fail = useCallback(
    (failure: unknown) => {
      if (failure instanceof SignedOut) router.replace("/sign-in");
      else setError(describe(failure));
    },
    [router],
  );

  useEffect(() => {
    void apiHealth(apiUrl).then(setHealth);
    (async () => {
      const who = dataOf(await api.GET("/api/me"));
      setMe(who);
      const page = dataOf(await api.GET("/api/{userId}/tasks", { params: { path: { userId: who.id } } }));
      setTasks(page.tasks);
      setNextCursor(page.nextCursor);
    })().catch(fail);
  }, [api, apiUrl, fail]);

  async function add(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!me) return;
    setAdding(true);
    setError(null);
    try {
      const { task } = dataOf(await api.POST("/api/{userId}/tasks", { params: { path: { userId: me.id } }, body: { title: title.trim() } }));
      setTasks((current) => [task, ...(current ?? [])]);
      setTitle("");
    } catch (failure) {
      fail(failure);
    } finally {
      setAdding(false);
    }
  }

  // A 404 means the task is gone (deleted in another tab, say): it leaves the list too.
  const refused = (task: Task, failure: unknown) => {
    if (failure instanceof ApiError && failure.status === 404) setTasks((current) => current?.filter((t) => t.id !== task.id) ?? null);
    fail(failure);
    return false;
  };

  const actions: TaskActions = {
    async change(task, changes) {
      if (!me) return false;
      setError(null);
      try {
        const path = { userId: me.id, taskId: task.id };
        const { task: changed } = dataOf(await api.PATCH("/api/{userId}/tasks/{taskId}", { params: { path }, body: changes }));
        setTasks((current) => current?.map((t) => (t.id === changed.id ? changed : t)) ?? null);
        return true;
      } catch (failure) {
        return refused(task, failure);
      }
    },
    async remove(task) {
      if (!me) return false;
      setError(null);
      try {
        succeeded(await api.DELETE("/api/{userId}/tasks/{taskId}", { params: { path: { userId: me.id, taskId: task.id } } }));
        setTasks((current) => current?.filter((t) => t.id !== task.id) ?? null);
        return true;
      } catch (failure) {
        return refused(task, failure);
      }
    },
  };

  async function loadMore() {
    if (!me || !nextCursor) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = dataOf(await api.GET("/api/{userId}/tasks", { params: { path: { userId: me.id }, query: { cursor: nextCursor } } }));
      // A task added on this page meanwhile is already at the top: the cursor keeps it off later pages.
      setTasks((current) => [...(current ?? []), ...page.tasks]);
      setNextCursor(page.nextCursor);
    } catch (failure) {
      fail(failure);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <>
      <section aria-labelledby="identity">
        <h2 id="identity">Identity</h2>
        {me ? (
          <p className="verified" data-testid="verified">
            Verified by the API as <code>{me.id}</code> ({me.name}, {me.email})
          </p>
        ) : (
          !error && <p>Asking the API who you are…</p>
        )}
        <p>
          API health: <strong data-testid="api-health">{health}</strong>
        </p>
      </section>
      <p role="alert" className="error">
        {error}
      </p>
      <section aria-labelledby="tasks-heading">
        <h2 id="tasks-heading">Your tasks</h2>
        <form onSubmit={add} className="inline">
          <label htmlFor="title">New task</label>
          <input id="title" name="title" required maxLength={TITLE_MAX} value={title} onChange={(e) => setTitle(e.target.value)} disabled={!me} />
          <button type="submit" disabled={!me || adding || title.trim() === ""}>
            {adding ? "Adding…" : "Add task"}
          </button>
        </form>
        {tasks === null ? null : tasks.length === 0 ? (
          <p data-testid="no-tasks">No tasks yet.</p>
        ) : (
          <ul data-testid="tasks">
            {tasks.map((task) => (
              <TaskItem key={task.id} task={task} actions={actions} />
            ))}
          </ul>
        )}
        {nextCursor && (
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        )}
      </section>
    </>
  );
}
