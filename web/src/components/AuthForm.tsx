"use client";
// Sign-up and sign-in share one form: the fields differ, the behaviour must not (input kept on
// error, one message in an alert region, the button disabled while the request runs).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type SubmitEvent, useState } from "react";
import { authClient } from "../lib/auth-client";
import { MAX_NAME_LENGTH } from "../lib/accountFields";
import { UNREACHABLE, authErrorMessage } from "../lib/auth-errors";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../lib/password";

type Mode = "sign-in" | "sign-up";

const TEXT: Record<Mode, { title: string; submit: string; busy: string }> = {
  "sign-in": { title: "Sign in", submit: "Sign in", busy: "Signing in…" },
  "sign-up": { title: "Create an account", submit: "Sign up", busy: "Creating your account…" },
};

export function AuthForm({ mode }: { mode: Mode }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const text = TEXT[mode];

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const { error } =
        mode === "sign-up" ? await authClient.signUp.email({ name, email, password }) : await authClient.signIn.email({ email, password });
      if (error) {
        setError(authErrorMessage(error));
        setSubmitting(false);
        return;
      }
      router.replace("/dashboard");
    } catch {
      // fetch itself failed: no answer from the server at all.
      setError(UNREACHABLE);
      setSubmitting(false);
    }
  }

  return (
    <main className="narrow">
      <h1>{text.title}</h1>
      <form onSubmit={submit} aria-describedby={error ? "form-error" : undefined}>
        {mode === "sign-up" && <Field name="name" label="Name" autoComplete="name" maxLength={MAX_NAME_LENGTH} value={name} onChange={setName} />}
        <Field name="email" label="Email" type="email" autoComplete="email" value={email} onChange={setEmail} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
          maxLength={MAX_PASSWORD_LENGTH}
          hint={mode === "sign-up" ? `At least ${MIN_PASSWORD_LENGTH} characters.` : undefined}
          value={password}
          onChange={setPassword}
        />
        <p id="form-error" role="alert" className="error">
          {error}
        </p>
        <button type="submit" disabled={submitting}>
          {submitting ? text.busy : text.submit}
        </button>
      </form>
      {mode === "sign-up" ? (
        <p>
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      ) : (
        <p>
          New here? <Link href="/sign-up">Create an account</Link>
        </p>
      )}
    </main>
  );
}

interface FieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  autoComplete: string;
  maxLength?: number;
  hint?: string | undefined;
  value: string;
  onChange: (value: string) => void;
}

function Field({ name, label, type = "text", autoComplete, maxLength, hint, value, onChange }: FieldProps) {
  return (
    <p className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required
        maxLength={maxLength}
        aria-describedby={hint ? `${name}-hint` : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && <small id={`${name}-hint`}>{hint}</small>}
    </p>
  );
}
