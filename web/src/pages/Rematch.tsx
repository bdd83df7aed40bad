/** Re-match review: being built. */
export function RematchPage() {
  return (
    <section>
      <h1>Re-match review</h1>
    </section>
  );
}
