"""Training programs (issue 20). A pool used to name one fixed trainee who shadowed; pools now
name a program whose trainees the engine seats. Each pool's old trainee is kept: a program
"<pool or session> shadowing" is made for it, the person enrolled at the shadow stage, and the
pool names the program. Then the old field goes."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def pools_name_programs(apps, schema_editor):
    PlanPool = apps.get_model("scheduling", "PlanPool")
    TrainingProgram = apps.get_model("scheduling", "TrainingProgram")
    Trainee = apps.get_model("scheduling", "Trainee")
    TrainingEvent = apps.get_model("scheduling", "TrainingEvent")
    pools = PlanPool.objects.filter(trainee__isnull=False).select_related(
        "session__plan", "trainee"
    )
    for pool in pools.order_by("id"):
        tenant_id = pool.session.plan.tenant_id
        base = f"{pool.name or pool.session.title_template} shadowing"[:190]
        name, n = base, 1
        while TrainingProgram.objects.filter(tenant_id=tenant_id, name=name).exists():
            n += 1
            name = f"{base} {n}"
        program = TrainingProgram.objects.create(tenant_id=tenant_id, name=name)
        trainee = Trainee.objects.create(
            tenant_id=tenant_id, program=program, interviewer=pool.trainee, stage="shadow"
        )
        TrainingEvent.objects.create(
            trainee=trainee,
            kind="enrolled",
            text=f"Enrolled: shadowed the pool of “{pool.session.plan.name}” before programs existed",
        )
        pool.program = program
        pool.save(update_fields=["program"])


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0025_autopilot'),
    ]

    operations = [
        migrations.AddField(
            model_name='planpool',
            name='trainee_required',
            field=models.BooleanField(default=False, verbose_name='every interview must have a trainee'),
        ),
        migrations.AlterField(
            model_name='sessionattendee',
            name='role',
            field=models.CharField(choices=[('required', 'Required'), ('pool', 'From a pool'), ('trainee', 'Trainee (shadowing)'), ('trainee_leads', 'Trainee leading (reverse shadow)'), ('trainer', 'Qualified interviewer shadowing the trainee'), ('added', 'Added by the recruiter')], default='required', max_length=20),
        ),
        migrations.CreateModel(
            name='Trainee',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('stage', models.CharField(choices=[('shadow', 'Shadowing'), ('reverse_shadow', 'Reverse shadowing (leads, a qualified interviewer shadows)'), ('qualified', 'Qualified')], default='shadow', max_length=20)),
                ('awaiting_approval', models.BooleanField(default=False)),
                ('active', models.BooleanField(default=True)),
                ('enrolled_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('qualified_at', models.DateTimeField(blank=True, null=True)),
                ('interviewer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trainings', to='scheduling.interviewer')),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='scheduling.tenant')),
            ],
            options={
                'ordering': ['program__name', 'interviewer__name'],
            },
        ),
        migrations.AddField(
            model_name='sessionattendee',
            name='training',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='seats', to='scheduling.trainee'),
        ),
        migrations.CreateModel(
            name='TrainingCredit',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('stage', models.CharField(choices=[('shadow', 'Shadowing'), ('reverse_shadow', 'Reverse shadowing (leads, a qualified interviewer shadows)'), ('qualified', 'Qualified')], max_length=20)),
                ('counted_at', models.DateTimeField()),
                ('attendee', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='training_credit', to='scheduling.sessionattendee')),
                ('trainee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credits', to='scheduling.trainee')),
            ],
            options={
                'ordering': ['counted_at'],
            },
        ),
        migrations.CreateModel(
            name='TrainingEvent',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('kind', models.CharField(choices=[('enrolled', 'Enrolled'), ('seated', 'Seated in an interview'), ('counted', 'A session counted'), ('not_counted', 'A session did not count'), ('advanced', 'Moved to the next stage'), ('approval_asked', "Waiting for an admin's approval"), ('approved', 'Approved by an admin'), ('qualified', 'Qualified'), ('changed', 'Stage set by an admin'), ('removed', 'Removed from the program')], max_length=20)),
                ('text', models.CharField(max_length=300)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('trainee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='scheduling.trainee')),
            ],
            options={
                'ordering': ['-at'],
            },
        ),
        migrations.CreateModel(
            name='TrainingProgram',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=200)),
                ('shadow_count', models.PositiveSmallIntegerField(default=2, verbose_name='shadow sessions')),
                ('reverse_shadow_count', models.PositiveSmallIntegerField(default=1, verbose_name='reverse-shadow sessions')),
                ('approval_required', models.BooleanField(default=False, verbose_name='an admin approves each move to the next stage')),
                ('trainer_approval_required', models.BooleanField(default=False, verbose_name="a session counts only once the trainer's feedback approves it")),
                ('send_training_feedback_to_ats', models.BooleanField(default=False, verbose_name="send trainees' feedback to the ATS")),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='training_programs', to='scheduling.tenant')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='trainee',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trainees', to='scheduling.trainingprogram'),
        ),
        migrations.AddField(
            model_name='planpool',
            name='program',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='pools', to='scheduling.trainingprogram', verbose_name='trainees from program'),
        ),
        migrations.AddConstraint(
            model_name='trainingprogram',
            constraint=models.UniqueConstraint(fields=('tenant', 'name'), name='training_program_unique_name'),
        ),
        migrations.AddConstraint(
            model_name='trainee',
            constraint=models.UniqueConstraint(fields=('program', 'interviewer'), name='trainee_once_per_program'),
        ),
        migrations.RunPython(pools_name_programs, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='planpool',
            name='trainee',
        ),
    ]
