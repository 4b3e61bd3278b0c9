"""Third-party apps as the portal names them: every label in the admin is in Chinese."""

from django_tasks_db.apps import TasksAppConfig


class MailTasksConfig(TasksAppConfig):
    """django-tasks-db: the mail the worker sends (cases.tracker.reminders), under a Chinese name."""

    verbose_name = "后台任务（邮件发送）"
