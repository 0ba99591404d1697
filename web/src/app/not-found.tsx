import Link from "next/link";

// Next's built-in 404 is styled with style="" attributes, which the CSP (no 'unsafe-inline')
// refuses; this one uses the stylesheet.
export default function NotFound() {
  return (
    <main>
      <h1>Not found</h1>
      <p>There is no page at this address.</p>
      <p className="actions">
        <Link href="/" className="button">
          Home
        </Link>
      </p>
    </main>
  );
}
