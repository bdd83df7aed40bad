import { Link } from 'react-router';

export function NotFound() {
  return (
    <section>
      <h1>No such page</h1>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}
