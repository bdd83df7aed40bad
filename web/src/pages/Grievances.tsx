/** Grievances: being built. */
export function GrievancesPage() {
  return (
    <section>
      <h1>Grievances</h1>
    </section>
  );
}
