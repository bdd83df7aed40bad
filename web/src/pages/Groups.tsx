/** Groups and clinicians: being built. */
export function GroupsPage() {
  return (
    <section>
      <h1>Groups and clinicians</h1>
    </section>
  );
}
