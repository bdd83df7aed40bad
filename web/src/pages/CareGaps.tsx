/** Care gaps: being built. */
export function CareGapsPage() {
  return (
    <section>
      <h1>Care gaps</h1>
    </section>
  );
}
