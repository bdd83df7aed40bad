/** Disruptions: being built. */
export function DisruptionsPage() {
  return (
    <section>
      <h1>Disruptions</h1>
    </section>
  );
}
